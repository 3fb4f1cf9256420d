import { callKindsSuite } from './suites/call-kinds.js';

callKindsSuite('current grpc-js');
