// express 5 ships no types and @types/express is not a dev dependency here: the little the
// recipe tests use, typed by hand.
declare module 'express' {
  import type { IncomingMessage, Server, ServerResponse } from 'node:http';

  type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => unknown;
  type Handler = (req: IncomingMessage & { params: Record<string, string> }, res: Response) => void;
  interface Response extends ServerResponse {
    send(body: string): Response;
    status(code: number): Response;
  }
  interface Router {
    (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void;
    get(path: string | RegExp, handler: Handler): Router;
    use(path: string, middleware: Middleware | Router): Router;
  }
  interface Application {
    (req: IncomingMessage, res: ServerResponse): void;
    use(middleware: Middleware): Application;
    use(path: string, middleware: Middleware | Router): Application;
    get(path: string | RegExp, handler: Handler): Application;
    post(path: string, handler: Handler): Application;
    listen(port: number, host: string, callback: () => void): Server;
  }
  interface Express {
    (): Application;
    Router(): Router;
  }
  const express: Express;
  export default express;
}
