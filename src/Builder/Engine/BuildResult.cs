using Images.Core.Digests;

namespace Images.Builder.Engine;

/// <summary>The image a build made, and what the build noticed on the way.</summary>
public sealed record BuildResult(Digest ImageId, Digest ManifestDigest, IReadOnlyList<string> Warnings, int CachedSteps, int ExecutedSteps);
