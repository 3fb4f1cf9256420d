'use strict';
// The hello-world app every HTTP variant serves: GET /api/items/:id → small JSON.

/**
 * @param {import('express')} express
 * @param {{ before?: (app: any) => void, after?: (app: any) => void }} [hooks]
 */
function createApp(express, hooks = {}) {
  const app = express();
  app.disable('x-powered-by');
  hooks.before?.(app);
  app.get('/api/items/:id', (req, res) => {
    res.json({ id: req.params.id, name: 'widget', price: 42, tags: ['a', 'b'] });
  });
  hooks.after?.(app);
  return app;
}

function listen(app) {
  const server = app.listen(Number(process.env.PORT), '127.0.0.1');
  server.keepAliveTimeout = 60_000;
  return server;
}

function info(text) {
  process.stdout.write(`BENCH_INFO ${text}\n`);
}

module.exports = { createApp, listen, info };

/** The installed version of a package (read from its package.json next to its entry point). */
function pkgVersion(name) {
  const fs = require('node:fs');
  const path = require('node:path');
  let dir = path.dirname(require.resolve(name));
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === name) return pkg.version;
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
module.exports.pkgVersion = pkgVersion;
