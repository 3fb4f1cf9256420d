'use strict';
// Reference floor: no spans, metrics or logs — only what any tracing middleware that makes its span
// active must do: an AsyncLocalStorage context manager, and `context.with()` around the rest of the
// request (on Node 20 that turns on async hooks for every promise, timer and tick).
const express = require('express');
const api = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { createApp, listen, info } = require('./app.cjs');

api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const key = api.createContextKey('bench request');
info('AsyncLocalStorageContextManager + context.with() around next(), nothing else');
const app = createApp(express, {
  before: (a) =>
    a.use((req, _res, next) => {
      api.context.with(api.context.active().setValue(key, req), next);
    }),
});
listen(app);
