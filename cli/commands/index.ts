import type { Command } from '../command.ts';
import { alertsAckCommand, alertsListCommand, alertsSilenceCommand, alertsTestCommand, remediateCommand } from './alerts.ts';
import { auditCommand } from './audit.ts';
import { auditLogVerifyCommand } from './audit-log-verify.ts';
import { tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from './token.ts';
import { catalogImportBackstageCommand } from './catalog-import-backstage.ts';
import { catalogReloadCommand } from './catalog-reload.ts';
import { catalogValidateCommand } from './catalog-validate.ts';
import { demoCommand } from './demo.ts';
import { probeRunCommand } from './probe-run.ts';
import { reconcileCommand } from './reconcile.ts';
import { reportCommand } from './report.ts';
import { reportKeyCommand } from './report-key.ts';
import { reportVerifyCommand } from './report-verify.ts';
import { startCommand } from './start.ts';

/** Every `weft` subcommand: adding one adds an entry. Two-word names ("catalog validate") are allowed. */
export const commands: Record<string, Command> = {
  start: startCommand,
  audit: auditCommand,
  'catalog validate': catalogValidateCommand,
  'catalog import-backstage': catalogImportBackstageCommand,
  'catalog reload': catalogReloadCommand,
  'probe run': probeRunCommand,
  reconcile: reconcileCommand,
  report: reportCommand,
  'report verify': reportVerifyCommand,
  'report key': reportKeyCommand,
  demo: demoCommand,
  'alerts list': alertsListCommand,
  'alerts silence': alertsSilenceCommand,
  'alerts ack': alertsAckCommand,
  'alerts test': alertsTestCommand,
  remediate: remediateCommand,
  'token create': tokenCreateCommand,
  'token list': tokenListCommand,
  'token revoke': tokenRevokeCommand,
  'audit-log verify': auditLogVerifyCommand,
};
