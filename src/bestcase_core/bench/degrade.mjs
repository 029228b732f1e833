// Makes a worse copy of each source file, for the quality benchmark.
// stdin: [{path, content, ops}]  ->  stdout: [{path, content, error?}]
// What it can do to every <script> (and to .ts/.js files), by `ops`:
//   comments: strip comments;  types: remove TypeScript types;  names: rename local identifiers
//   to v0, v1, ...;  errors: drop error handling (try/catch keeps only its body, .catch(...) and
//   .then(_, onError) lose the handler);  anys: every type annotation becomes `any`.
import { transformSync } from '@babel/core'
import { parse as parseSfc } from '@vue/compiler-sfc'

function isExported(binding) {
  const decl = binding.path.parentPath
  if (!decl) return false
  if (decl.isExportNamedDeclaration() || decl.isExportDefaultDeclaration()) return true
  const declParent = decl.parentPath
  if (declParent && (declParent.isExportNamedDeclaration() || declParent.isExportDefaultDeclaration())) return true
  return binding.referencePaths.some((r) => r.parentPath && r.parentPath.isExportSpecifier())
}

function degradePlugin({ types: t }, { ops }) {
  const on = new Set(ops)
  return {
    visitor: {
      TSTypeAnnotation(path) {
        if (on.has('anys') && !t.isTSAnyKeyword(path.node.typeAnnotation)) path.node.typeAnnotation = t.tsAnyKeyword()
      },
      TSTypeParameterInstantiation(path) {
        if (on.has('anys')) path.node.params = path.node.params.map(() => t.tsAnyKeyword())
      },
      TryStatement(path) {
        if (on.has('errors')) path.replaceWithMultiple(path.node.block.body)
      },
      CallExpression(path) {
        if (!on.has('errors')) return
        const callee = path.node.callee
        if (t.isMemberExpression(callee) && t.isIdentifier(callee.property, { name: 'catch' })) {
          path.replaceWith(callee.object)
        } else if (t.isMemberExpression(callee) && t.isIdentifier(callee.property, { name: 'then' }) && path.node.arguments.length > 1) {
          path.node.arguments = path.node.arguments.slice(0, 1)
        }
      },
      Program: {
        exit(program) {
          if (!on.has('names')) return
          let n = 0
          const done = new Set()
          const renameIn = (scope) => {
            for (const [name, binding] of Object.entries(scope.bindings)) {
              if (done.has(binding) || binding.kind === 'module' || isExported(binding)) continue
              done.add(binding)
              scope.rename(name, `v${n++}`)
            }
          }
          renameIn(program.scope)
          program.traverse({ Scopable(p) { renameIn(p.scope) } })
        },
      },
    },
  }
}

function degradeScript(code, lang, ops) {
  const ts = lang === 'ts' || lang === 'tsx' || lang === 'mts'
  const stripTypes = ts && ops.includes('types')
  const out = transformSync(code, {
    filename: `file.${ts ? 'ts' : 'js'}`,
    babelrc: false,
    configFile: false,
    comments: !ops.includes('comments'),
    retainLines: false,
    presets: stripTypes ? [['@babel/preset-typescript', { allExtensions: true, onlyRemoveTypeImports: false }]] : [],
    plugins: [[degradePlugin, { ops }]],
    parserOpts: { plugins: ts ? (stripTypes ? [] : ['typescript']) : ['jsx'] },
    sourceType: 'module',
  })
  return out.code + '\n'
}

function degradeVue(source, ops) {
  const { descriptor, errors } = parseSfc(source)
  if (errors.length) throw new Error(String(errors[0]))
  const blocks = [descriptor.script, descriptor.scriptSetup].filter(Boolean)
  blocks.sort((a, b) => b.loc.start.offset - a.loc.start.offset) // splice from the end
  let out = ops.includes('comments') ? source.replace(/<!--[\s\S]*?-->/g, (m) => (m.includes('<script') ? m : '')) : source
  if (out !== source) return degradeVue(out, ops)
  for (const block of blocks) {
    const code = degradeScript(block.content, block.lang || 'js', ops)
    out = out.slice(0, block.loc.start.offset) + '\n' + code + out.slice(block.loc.end.offset)
  }
  return out
}

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (d) => { input += d })
process.stdin.on('end', () => {
  const files = JSON.parse(input)
  const result = files.map(({ path, content, ops = ['comments', 'types', 'names', 'errors'] }) => {
    try {
      const ext = path.split('.').pop()
      const degraded = ext === 'vue' ? degradeVue(content, ops) : degradeScript(content, ext === 'mjs' || ext === 'js' ? 'js' : ext, ops)
      return { path, content: degraded }
    } catch (e) {
      return { path, content: null, error: String(e.message || e).split('\n')[0] }
    }
  })
  process.stdout.write(JSON.stringify(result))
})
