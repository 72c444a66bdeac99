// Slim replacement for the 'monaco-editor' package entry (see the alias in vite.config.js).
// Hawtio only needs the editor for route source (XML/YAML) and message bodies (XML/JSON), so instead
// of monaco's ~80 languages we bundle the editor core, those few languages and the two web workers.
import 'monaco-editor/esm/vs/editor/edcore.main.js'
import 'monaco-editor/esm/vs/basic-languages/xml/xml.contribution.js'
import 'monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution.js'
import 'monaco-editor/esm/vs/language/json/monaco.contribution.js'
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker'
import JsonWorker from 'monaco-editor/esm/vs/language/json/json.worker.js?worker'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
;(self as any).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    return label === 'json' ? new JsonWorker() : new EditorWorker()
  },
}

export * from 'monaco-editor/esm/vs/editor/edcore.main.js'
