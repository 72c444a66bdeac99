import '@patternfly/react-core/dist/styles/base.css'
import '@hawtio/react/dist/index.css'

import('./bootstrap')

export {}
