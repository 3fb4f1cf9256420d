// Express 4 is installed under the alias `express4` (npm:express@4.21.2) next to Express 5; its API
// surface used by the tests is the same, so it borrows Express 5's types.
declare module 'express4' {
  import express from 'express';
  export default express;
}
