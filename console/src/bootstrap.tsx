// Sluice console: Hawtio (https://hawt.io) with only the plugins that make sense for a Camel Quarkus app.
// Jolokia is discovered by Hawtio itself: with <base href="/hawtio/"> it probes the relative URL "jolokia",
// i.e. /hawtio/jolokia, which Sluice proxies to its Jolokia agent.
import React from 'react'
import ReactDOM from 'react-dom/client'

import { configManager, HawtioInitialization, TaskState } from '@hawtio/react/init'

configManager.initItem('Loading UI', TaskState.started, 'config')

const root = ReactDOM.createRoot(document.getElementById('root') as HTMLElement)
root.render(<HawtioInitialization verbose={false} />)

configManager.addProductInfo('Sluice', '1.0')

import('@hawtio/react').then(async hawtio => {
  // Built-in plugins, chosen instead of registerPlugins(): no Keycloak/OIDC (Sluice uses HTTP Basic),
  // no Connect (no remote connections/proxy), no Spring Boot/Quartz.
  hawtio.jmx()
  hawtio.rbac()
  hawtio.camel()
  hawtio.runtime()
  hawtio.logs()
  hawtio.diagnostics()

  configManager.initItem('Loading UI', TaskState.finished, 'config')

  await hawtio.hawtio.bootstrap()
  const ui = await import('@hawtio/react/ui')
  root.render(
    <React.StrictMode>
      <ui.Hawtio />
    </React.StrictMode>,
  )
})
