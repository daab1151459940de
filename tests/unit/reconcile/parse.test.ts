import { expect } from "chai";
import { countKeys, observedNode, parseClusterNodeLine, parseInfo, parseNodeAddress, parseReplication } from "../../../provider/reconcile";

describe("reconcile: parse", () => {
    it("reads the myself line of a fresh node, which does not know its own IP", () => {
        expect(parseClusterNodeLine("e758c6b2d9698ce8555d43d3078d64682f468208 :31001@41001 myself,master - 0 0 0 connected")).to.deep.equal({
            id: "e758c6b2d9698ce8555d43d3078d64682f468208",
            host: "",
            port: 31001,
            busPort: 41001,
            flags: ["myself", "master"],
            myself: true,
            primary: true,
            replica: false,
            failing: "no",
            handshake: false,
            noaddr: false,
            configEpoch: 0,
            connected: true,
            slots: [],
            openSlots: [],
        });
    });

    it("reads a replica line with a hostname and a failure flag", () => {
        const entry = parseClusterNodeLine(
            "e7192953fed53e482e18cf8d61f8c669f74e897a 10.0.0.7:6379@16379,valkey-1.valkey-headless slave,fail? e758c6b2d9698ce8555d43d3078d64682f468208 1795238733000 1795238733725 4 disconnected",
        );
        expect(entry).to.include({ host: "10.0.0.7", port: 6379, busPort: 16379, hostname: "valkey-1.valkey-headless", replica: true, primary: false });
        expect(entry).to.include({ failing: "pfail", primaryId: "e758c6b2d9698ce8555d43d3078d64682f468208", configEpoch: 4, connected: false });
    });

    it("reads slot ranges, single slots and open slots", () => {
        const entry = parseClusterNodeLine("aaaa 127.0.0.1:7000@17000 master,fail - 0 0 3 connected 0-100 200 300-400 [93->-bbbb] [77-<-cccc]");
        expect(entry.failing).to.equal("fail");
        expect(entry.slots).to.deep.equal([
            { start: 0, end: 100 },
            { start: 200, end: 200 },
            { start: 300, end: 400 },
        ]);
        expect(entry.openSlots).to.deep.equal([
            { slot: 93, state: "migrating", peerId: "bbbb" },
            { slot: 77, state: "importing", peerId: "cccc" },
        ]);
    });

    it("reads handshake and noaddr entries and IPv6 addresses", () => {
        expect(parseClusterNodeLine("1111 127.0.0.1:7001@17001 handshake - 0 0 0 disconnected")).to.include({ handshake: true, primary: false });
        expect(parseClusterNodeLine("2222 :0@0 master,noaddr - 0 0 0 disconnected")).to.include({ noaddr: true, host: "", port: 0 });
        expect(parseNodeAddress("::1:7000@17000")).to.deep.equal({ host: "::1", port: 7000, busPort: 17000 });
        expect(parseNodeAddress("10.1.2.3:6379@16379,,tls-port=0,shard-id=abc")).to.deep.equal({
            host: "10.1.2.3",
            port: 6379,
            busPort: 16379,
            shardId: "abc",
        });
        expect(() => parseNodeAddress("nonsense")).to.throw('cannot parse the node address "nonsense"');
    });

    it("reads INFO: replication of a replica and a primary, keys over every database", () => {
        const replica = parseInfo(
            "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:31001\r\nmaster_link_status:down\r\nslave_repl_offset:1\r\n",
        );
        expect(parseReplication(replica)).to.deep.equal({ role: "replica", primary: { host: "127.0.0.1", port: 31001 }, linkUp: false, offset: 1 });
        const primary = parseInfo("# Replication\r\nrole:master\r\nconnected_slaves:1\r\nmaster_repl_offset:4242\r\n");
        expect(parseReplication(primary)).to.deep.equal({ role: "primary", linkUp: false, offset: 4242 });
        expect(countKeys(parseInfo("# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\ndb5:keys=2,expires=1,avg_ttl=9\r\n"))).to.equal(5);
        expect(countKeys(parseInfo("# Keyspace\r\n"))).to.equal(0);
    });

    it("builds a node observation; cluster replies are ignored when cluster mode is off", () => {
        const node = observedNode(
            { name: "a", announce: { host: "127.0.0.1", port: 1 }, placement: {} },
            {
                info: "role:master\r\nmaster_repl_offset:0\r\nloading:1\r\ncluster_enabled:0\r\n",
                clusterInfo: "cluster_state:ok",
                clusterNodes: "",
                config: { "repl-diskless-sync-delay": "5", "cluster-node-timeout": "x" },
            },
        );
        expect(node).to.deep.equal({
            name: "a",
            announce: { host: "127.0.0.1", port: 1 },
            placement: {},
            clusterEnabled: false,
            loading: true,
            keys: 0,
            replication: { role: "primary", linkUp: false, offset: 0 },
            settings: { "repl-diskless-sync-delay": 5 },
        });
    });
});
