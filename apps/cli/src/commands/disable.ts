import { installerActionCommand } from '../installer-command.js';

export default installerActionCommand('disable');
