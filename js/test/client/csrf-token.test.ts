import { describe, expect, it } from "vitest";
import { CsrfTokenStore } from "../../src/client/csrf-token.js";

describe("CsrfTokenStore", () => {
  it("keeps a token set while the endpoint was being called, over the endpoint's older answer", async () => {
    let answer = (_: string): void => undefined;
    const store = new CsrfTokenStore(() => new Promise<string>((resolve) => (answer = resolve)));

    const pending = store.get();
    store.set("from-login");
    answer("from-endpoint");

    expect((await pending).value).toBe("from-login");
    expect((await store.get()).value).toBe("from-login");
  });
});
