import { ScalekitMcp } from 'scalekit-mcp';
// expect: 'secret' does not exist
new ScalekitMcp({ envUrl: 'https://x.scalekit.dev', clientId: 'id', secret: 's' });
