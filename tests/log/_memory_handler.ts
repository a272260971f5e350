import { BaseHandler, type BaseHandlerOptions } from "../../log/mod.ts";

/** Keeps formatted lines in memory for assertions. */
export class MemoryHandler extends BaseHandler {
  lines: string[] = [];
  closed = false;
  constructor(options?: BaseHandlerOptions) {
    super(options);
  }
  write(line: string): void {
    this.lines.push(line);
  }
  close(): void {
    this.closed = true;
  }
}
