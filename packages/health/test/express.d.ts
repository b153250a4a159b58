// express 5 ships no types and @types/express is not a dev dependency here: the little the
// recipe tests use, typed by hand.
declare module 'express' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => unknown;
  interface Response extends ServerResponse {
    send(body: string): Response;
  }
  interface Application {
    (req: IncomingMessage, res: ServerResponse): void;
    use(middleware: Middleware): Application;
    use(path: string, middleware: Middleware): Application;
    get(path: string, handler: (req: IncomingMessage, res: Response) => void): Application;
  }
  export default function express(): Application;
}
