import { basename, extname } from 'node:path';

// Extension (lower case, without the dot) → language. Common source, config and doc formats; an
// extension not listed reports language null.
const BY_EXT: Record<string, string> = {
  ts: 'typescript', tsx: 'typescript', mts: 'typescript', cts: 'typescript',
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  py: 'python', pyi: 'python', ipynb: 'jupyter',
  go: 'go', rs: 'rust', java: 'java', kt: 'kotlin', kts: 'kotlin', scala: 'scala', groovy: 'groovy',
  c: 'c', h: 'c', cc: 'cpp', cpp: 'cpp', cxx: 'cpp', hpp: 'cpp', hh: 'cpp', hxx: 'cpp',
  cs: 'csharp', fs: 'fsharp', vb: 'vb', swift: 'swift', m: 'objective-c', mm: 'objective-cpp',
  rb: 'ruby', php: 'php', pl: 'perl', pm: 'perl', lua: 'lua', r: 'r', jl: 'julia', dart: 'dart',
  ex: 'elixir', exs: 'elixir', erl: 'erlang', hrl: 'erlang', hs: 'haskell', ml: 'ocaml', mli: 'ocaml',
  clj: 'clojure', cljs: 'clojure', elm: 'elm', zig: 'zig', nim: 'nim', v: 'v', sol: 'solidity',
  sh: 'shell', bash: 'shell', zsh: 'shell', fish: 'shell', ps1: 'powershell', bat: 'batch', cmd: 'batch',
  sql: 'sql', graphql: 'graphql', gql: 'graphql', proto: 'protobuf', prisma: 'prisma',
  html: 'html', htm: 'html', css: 'css', scss: 'scss', sass: 'sass', less: 'less',
  vue: 'vue', svelte: 'svelte', astro: 'astro',
  json: 'json', jsonc: 'json', json5: 'json', yaml: 'yaml', yml: 'yaml', toml: 'toml', xml: 'xml',
  ini: 'ini', cfg: 'ini', conf: 'config', env: 'dotenv', properties: 'properties',
  md: 'markdown', mdx: 'markdown', rst: 'restructuredtext', txt: 'text', tex: 'latex', adoc: 'asciidoc',
  tf: 'terraform', hcl: 'hcl', nix: 'nix', cmake: 'cmake', mk: 'makefile', gradle: 'gradle',
  csv: 'csv', tsv: 'tsv', svg: 'svg',
};

// Files known by their whole name.
const BY_NAME: Record<string, string> = {
  dockerfile: 'dockerfile', makefile: 'makefile', gnumakefile: 'makefile', cmakelists: 'cmake',
  'cmakelists.txt': 'cmake', gemfile: 'ruby', rakefile: 'ruby', justfile: 'just', jenkinsfile: 'groovy',
  '.gitignore': 'gitignore', '.dockerignore': 'gitignore', '.editorconfig': 'editorconfig',
};

/** The extension of a path, lower case and without the dot ('' when it has none). */
export function extOf(path: string): string {
  const name = basename(path);
  const e = extname(name);
  return e ? e.slice(1).toLowerCase() : '';
}

/** The language of a path from its name or extension, or null when it is not a known one. */
export function languageOf(path: string): string | null {
  const name = basename(path).toLowerCase();
  return BY_NAME[name] ?? (name.startsWith('dockerfile.') ? 'dockerfile' : BY_EXT[extOf(name)] ?? null);
}
