// One compiled hcx WebAssembly module and the instances that run it.
//
// The Rust side never panics on a path input reaches, and bounds every input; but a
// WebAssembly instance that traps (a fault deep in a dependency, memory exhausted) is left in
// an unknown state. So the engine keeps a spare instance ready: after a trap the call answers
// the fault answer the Rust side wrote at start-up, the spare takes over at once, and a new
// spare is made in the background. Verifiers rebuild themselves in the new instance from the
// trust inputs they keep.

/** The wasm-bindgen glue's import module name, as written by `wasm-bindgen --target bundler`. */
const GLUE = './hcx_js_bg.js';

export class Engine {
  /**
   * @param {() => object} createGlue a fresh copy of the glue (its own state): the
   *   `createGlue` of pkg/<build>/hcx_js_glue.js
   * @param {(imports: object) => Promise<WebAssembly.Instance | {instance: WebAssembly.Instance}>} instantiate
   * @param {((imports: object) => WebAssembly.Instance) | null} [instantiateSync] where the host
   *   allows it, a synchronous one: after a trap with no spare ready (a second trap in the same
   *   synchronous run) an instance is made at once rather than answering faults until later
   */
  constructor(createGlue, instantiate, instantiateSync = null) {
    this.createGlue = createGlue;
    this.instantiate = instantiate;
    this.instantiateSync = instantiateSync;
    this.active = null;
    this.spare = null;
    this.refilling = null;
    this.faults = 0;
  }

  /** Starts the first instance and its spare, and reads the constants every call needs. */
  async start() {
    this.active = await this.spawn();
    const glue = this.active.glue;
    this.limits = JSON.parse(glue.limits());
    this.faultAnswer = { picture: glue.fault(true), other: glue.fault(false) };
    this.spare = await this.spawn();
    return this;
  }

  async spawn() {
    const glue = this.createGlue();
    return this.started(glue, await this.instantiate({ [GLUE]: glue }));
  }

  spawnSync() {
    try {
      const glue = this.createGlue();
      return this.started(glue, this.instantiateSync({ [GLUE]: glue }));
    } catch {
      return null; // not allowed here (a browser's main thread): the async refill follows
    }
  }

  started(glue, made) {
    const instance = made.instance ?? made;
    glue.__wbg_set_wasm(instance.exports);
    if (typeof instance.exports.__wbindgen_start === 'function') instance.exports.__wbindgen_start();
    return { glue, exports: instance.exports };
  }

  /**
   * Runs `fn(glue)` in the active instance and returns its JSON answer. Any exception thrown
   * inside is a trap (the exports themselves never throw): the fault answer is returned and the
   * spare instance takes over.
   */
  run(picture, fn) {
    if (this.active === null && this.instantiateSync) this.active = this.spawnSync();
    const current = this.active;
    if (current === null) return this.faultAnswer.other;
    try {
      return fn(current.glue, current);
    } catch {
      this.faults += 1;
      this.active = this.spare ?? (this.instantiateSync ? this.spawnSync() : null);
      this.spare = null;
      this.refill();
      return picture ? this.faultAnswer.picture : this.faultAnswer.other;
    }
  }

  refill() {
    if (this.refilling) return;
    this.refilling = (async () => {
      try {
        const fresh = await this.spawn();
        if (this.active === null) this.active = fresh;
        else this.spare = fresh;
      } finally {
        this.refilling = null;
      }
    })().catch(() => {});
  }
}
