/**
 * `pushwire/sdk`: the server SDK, published on its own as `@pushwire/sdk` (packages/sdk) and
 * re-exported here so that imports of `pushwire/sdk` keep working.
 */
export * from '@pushwire/sdk';
