// A fake seller for @adcp/sdk tests: an in-process MCP client that records
// what it receives and accepts every media buy. `mediaBuyId(n)` names the buy
// answered at the seller's n-th call (default mb_<n>).
export function fakeSeller(mediaBuyId = (n) => `mb_${n}`) {
  const calls = [];
  const result = (body) => ({ content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body });
  return {
    calls,
    transport: {},
    getServerCapabilities: () => ({}),
    listTools: async () => ({ tools: ['get_adcp_capabilities', 'create_media_buy'].map((name) => ({ name, inputSchema: { type: 'object', properties: {} } })) }),
    async callTool({ name, arguments: args }) {
      calls.push({ name, args });
      if (name === 'get_adcp_capabilities')
        return result({ adcp: { major_versions: [3], idempotency: { supported: true, replay_ttl_seconds: 86400 } }, supported_protocols: ['media_buy'] });
      if (name === 'create_media_buy') {
        const amount = args.total_budget?.amount ?? args.packages?.[0]?.budget;
        return result({ media_buy_id: mediaBuyId(calls.length), status: 'pending_creatives', packages: [{ package_id: 'p1', budget: amount }] });
      }
      throw new Error(`unexpected seller tool ${name}`);
    },
  };
}
