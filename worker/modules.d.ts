// Binary modules bundled by wrangler (see [[rules]] in wrangler.toml).
declare module "*.ttf" {
  const data: ArrayBuffer;
  export default data;
}
