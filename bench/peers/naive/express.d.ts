/**
 * The few Express 5 types the `naive` peer uses. The project does not depend on @types/express
 * (Express is a benchmark peer only), so this declares just what these three files touch.
 */
declare module 'express' {
  import type { Server } from 'node:http';

  interface Request {
    params: Record<string, string>;
    query: Record<string, unknown>;
  }
  interface Response {
    status(code: number): Response;
    type(contentType: string): Response;
    json(body: unknown): void;
  }
  type Handler = (req: Request, res: Response) => void | Promise<void>;
  interface Application {
    get(path: string, handler: Handler): void;
    listen(port: number, host: string): Server;
  }
  function express(): Application;
  export default express;
}
