using Images.Core.Digests;

namespace Images.Store.BuildCache;

/// <summary>
/// What one build step produced, under the step's cache key: the layer it committed (null for a step that only
/// changed the config) and the container config (JSON) after the step.
/// </summary>
public sealed record BuildCacheEntry(Digest Key, Digest? Layer, string Config, DateTimeOffset Created, DateTimeOffset LastUsed);
