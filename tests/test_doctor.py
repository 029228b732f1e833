"""bestcase doctor (scripts/doctor.py): the seed's troubleshooting as one command, and its bad-input handling."""

from __future__ import annotations

import json

from conftest import TEST_MODEL, run_script


def test_doctor_json_reports_model_hash_build_and_plan(model_05b):
    out = run_script("doctor.py", "--model", TEST_MODEL, "--vram-mb", "2048", "--ctx", "4096", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["model"] == TEST_MODEL and report["path"] == str(model_05b)
    assert report["sha256_ok"] is True
    assert isinstance(report["gpu_offload_supported"], bool)
    plan = report["plan"]
    assert plan["vram_budget_mb"] == 2048 and plan["n_layers"] == 25
    assert {"n_gpu_layers", "predicted_vram_mb"} <= set(plan)


def test_doctor_load_reports_the_layers_llama_cpp_placed(model_05b):
    out = run_script("doctor.py", "--model", TEST_MODEL, "--load", "--json")
    report = json.loads(out.stdout)
    assert report["load"]["ok"] is True
    assert report["load"]["total_layers_reported"] == 25
    assert report["load"]["gpu_layers_reported"] == report["plan"]["n_gpu_layers"]


def test_doctor_human_report_ends_with_what_to_do(tmp_path):
    out = run_script("doctor.py", "--model", TEST_MODEL, env=_no_model_but(tmp_path))
    assert out.returncode == 1
    tail = out.stdout.split("What to do:")[1]
    assert "bestcase fetch qwen2.5-coder:0.5b" in tail


def _no_model_but(models_dir) -> dict[str, str]:
    """The environment of a machine whose only models are in ``models_dir`` (none in the hub's cache)."""
    return {"BESTCASE_MODELS_DIR": str(models_dir), "HF_HUB_CACHE": str(models_dir / "hf")}


def _clean_failure(out, text: str) -> None:
    assert out.returncode != 0
    assert text in out.stderr + out.stdout
    assert "Traceback" not in out.stderr


def test_unknown_model_name_is_a_clean_error():
    _clean_failure(run_script("doctor.py", "--model", "qwen9:1b"), "Unknown model 'qwen9:1b'")
    _clean_failure(run_script("fetch_model.py", "qwen9:1b"), "Unknown model 'qwen9:1b'")


def test_file_that_is_not_gguf_is_a_clean_error(tmp_path):
    bad = tmp_path / "weights.gguf"
    bad.write_text("<html>not found</html>")
    _clean_failure(run_script("doctor.py", "--model", str(bad)), "is not a GGUF file")


def test_sha256_mismatch_is_a_clean_error(tmp_path):
    from bestcase_core.registry import get_model

    spec = get_model(TEST_MODEL)
    with (tmp_path / spec.file).open("wb") as fh:
        fh.write(b"GGUF")
        fh.truncate(spec.size)
    out = run_script("doctor.py", "--model", TEST_MODEL, env=_no_model_but(tmp_path))
    _clean_failure(out, "should be 1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32")


def test_vram_budget_that_is_not_a_number_is_a_clean_error():
    _clean_failure(run_script("doctor.py", "--vram-mb", "lots"), "--vram-mb must be a whole number")
    _clean_failure(run_script("doctor.py", env={"BESTCASE_VRAM_MB": "6GB"}), "BESTCASE_VRAM_MB")
