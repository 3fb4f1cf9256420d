import { defineProject } from '@trisignal/vitest-config';

export default defineProject('middleware-grpc');
