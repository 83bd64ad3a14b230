declare module 'dcmjs' {
  interface Logger {
    setLevel(level: string): void;
    getLogger(name: string): Logger;
  }
  const dcmjs: { log: Logger } & Record<string, unknown>;
  export default dcmjs;
}
