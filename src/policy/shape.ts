// The shape vocabulary: a tiny description of what a policy may contain, from
// which both the structural check (unknown keys, wrong types, missing keys) and
// the published JSON Schema are derived, so the two cannot drift. Pure data.

interface Described {
  /** Shown to editors (JSON Schema) and in messages. */
  readonly description: string;
}

/** A string, optionally one of a fixed set or matching a pattern (checked in detail by the readers). */
export interface StringShape extends Described {
  readonly kind: 'string';
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly examples?: readonly string[];
  readonly default?: string;
}

/** A whole number. */
export interface IntegerShape extends Described {
  readonly kind: 'integer';
  readonly minimum?: number;
  readonly maximum?: number;
}

/** true or false. */
export interface BooleanShape extends Described {
  readonly kind: 'boolean';
  readonly default?: boolean;
}

/** A list. */
export interface ArrayShape extends Described {
  readonly kind: 'array';
  readonly items: Shape;
  readonly minItems?: number;
}

/** A mapping with fixed keys. */
export interface ObjectShape extends Described {
  /** What one of these is called in messages, e.g. `asset`. */
  readonly what: string;
  readonly kind: 'object';
  readonly properties: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
  /** At least one of these keys must be present; `code` is the diagnostic when none is. */
  readonly requireAnyOf?: { readonly keys: readonly string[]; readonly code: string };
  /** For list items: the key whose value names the item in messages (`rule "x"`). */
  readonly labelKey?: string;
}

/** A mapping from operator-chosen names to values of one shape (zones, assets, …). */
export interface NamedMapShape extends Described {
  readonly kind: 'named-map';
  readonly what: string;
  readonly values: Shape;
  /** Keys allowed (regex); absent: NAME_PATTERN. Free-form keys (directory group names) set their own. */
  readonly keyPattern?: string;
}

/** A scalar that may take any of several scalar shapes (a port: 502 or "1000-2000"). */
export interface UnionShape extends Described {
  readonly kind: 'union';
  readonly anyOf: readonly (StringShape | IntegerShape)[];
}

/** Any shape. */
export type Shape =
  | StringShape
  | IntegerShape
  | BooleanShape
  | ArrayShape
  | ObjectShape
  | NamedMapShape
  | UnionShape;

/** Operator-chosen names: safe to carry into nftables set and chain names. */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$';
