"""What part a file plays in a Nuxt app, from its path alone."""

from __future__ import annotations

from enum import Enum
from pathlib import PurePosixPath


class Role(str, Enum):
    page = "page"
    component = "component"
    composable = "composable"
    store = "store"
    layout = "layout"
    middleware = "middleware"
    plugin = "plugin"
    server_route = "server route"
    util = "util"


#: Folder name -> role. The first folder of the path (inside the project) that is
#: listed here decides; ``server/`` wins over anything below it (its handler folders are server
#: routes, its other folders utils).
FOLDER_ROLES: dict[str, Role] = {
    "pages": Role.page,
    "components": Role.component,
    "composables": Role.composable,
    "stores": Role.store,
    "store": Role.store,
    "layouts": Role.layout,
    "middleware": Role.middleware,
    "plugins": Role.plugin,
    "server": Role.server_route,
    "utils": Role.util,
    "helpers": Role.util,
    "api": Role.util,
    "services": Role.util,
    "lib": Role.util,
}

#: Folders under ``server/`` whose files Nitro serves as handlers; the rest (``utils``, ``db``...) are utils.
SERVER_HANDLER_FOLDERS = frozenset({"api", "routes", "middleware", "plugins"})

#: Root files with a fixed part.
ROOT_FILE_ROLES: dict[str, Role] = {
    "app.vue": Role.layout,
    "error.vue": Role.layout,
}


def role_for_path(path: str) -> Role:
    """The role of a file from its path relative to the project (``components/ui/Button.vue``)."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if parts and parts[0] in ("src", "app") and len(parts) > 2:
        parts = parts[1:]  # Nuxt 4's app/ folder and src/ layouts
    for i, part in enumerate(parts[:-1]):
        role = FOLDER_ROLES.get(part)
        if role is Role.server_route and i + 1 < len(parts) - 1 and parts[i + 1] not in SERVER_HANDLER_FOLDERS:
            return Role.util  # server/utils/, server/db/: code the handlers call
        if role is not None:
            return role
    name = parts[-1] if parts else path
    if name in ROOT_FILE_ROLES:
        return ROOT_FILE_ROLES[name]
    stem = name.rsplit(".", 1)[0]
    if name.endswith(".vue"):
        return Role.component
    if stem.startswith("use") and stem[3:4].isupper():
        return Role.composable
    return Role.util
