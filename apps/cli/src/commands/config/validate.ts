import { BaseCommand } from '../../base-command.js';

export default class ConfigValidate extends BaseCommand {
  static override summary = 'Check the config file: exit 0 when valid, 1 with every problem named when not.';
  static override examples = ['<%= config.bin %> config validate', '<%= config.bin %> config validate --config ./deploy/svc.config.toml --json'];

  async run(): Promise<{ file: string; valid: true; services: string[] }> {
    const { flags } = await this.parse(ConfigValidate);
    const config = await this.loadConfig(flags.config);
    const services = Object.keys(config.services);
    if (!this.jsonEnabled()) this.log(`${config.file} is valid: ${services.length} service${services.length === 1 ? '' : 's'} (${services.join(', ') || 'none'})`);
    return { file: config.file, valid: true, services };
  }
}
