import { describeCase } from '../api.js';
import { mergedSystemCfgChecks } from './merged-system-cfg-checks.js';

describeCase('jinja_merged_system_cfg', mergedSystemCfgChecks);
