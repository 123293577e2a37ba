export { type ConfigSource, type FileSourceOptions, fileSource } from './config-source.ts';
export { DEFAULT_CONFIG_FILE, type LoadConfigOptions, loadConfig } from './load-config.ts';
export {
  type BooleanSetting,
  type ConfigOf,
  defineSettings,
  type EnumSetting,
  envName,
  flagName,
  mergeSettings,
  type NumberSetting,
  type Setting,
  type Settings,
  type StringSetting,
} from './settings.ts';
export { settingsHelp } from './settings-help.ts';
