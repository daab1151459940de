import { expect } from "chai";
import { rawCommand, startValkey, stopAllValkeys } from "../helpers/valkey";

describe("test helper: startValkey", () => {
    after(stopAllValkeys);

    it("starts a real server that answers PING and stops it", async () => {
        const server = await startValkey();
        expect(await rawCommand(server.port, "PING")).to.equal("+PONG");
        await server.stop();
        let error: unknown;
        try {
            await rawCommand(server.port, "PING");
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(Error);
    });
});
