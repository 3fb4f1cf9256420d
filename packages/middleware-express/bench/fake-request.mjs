// A request through Express-like routing without sockets, for the benchmarks that measure CPU per
// request in process (`request-path.mjs` here, `tooling/bench/src/pipeline-cost.mjs`): node:http request
// and response objects for `GET /api/items/42`, and what the route handler leaves on them.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

const route = { path: '/items/:id' };
const socket = new Socket();

/** A fresh `GET /api/items/42` request and its response. */
export function makeRequest() {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/api/items/42';
  req.httpVersion = '1.1';
  req.headers = { host: '127.0.0.1:3000', 'user-agent': 'autocannon', accept: '*/*' };
  const res = new ServerResponse(req);
  return { req, res };
}

/** What routing and a JSON handler leave behind: the matched route and a completed 200 response. */
export function handle(req, res) {
  req.baseUrl = '/api';
  req.route = route;
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', '48');
  // What a completed response looks like to the 'close' listener.
  res._header = 'HTTP/1.1 200 OK\r\n\r\n';
  res.finished = true;
}
