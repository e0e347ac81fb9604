// Validation of built-in kinds as kube-apiserver does it: object metadata, kind-specific rules, strict unknown-field checks.
export {
  causeText, invalidMessage, type FieldCause,
} from './validation/field-cause.js';
export { isDns1123Label, isDns1123Subdomain } from './validation/names.js';
export { nameRuleFor, validateObjectMeta, type NameRule } from './validation/meta.js';
export { defaultSelectorFromTemplate, validateBuiltin, type ValidationOptions } from './validation/kinds.js';
export { strictDecodingMessage, unknownFields } from './validation/unknown-fields.js';
