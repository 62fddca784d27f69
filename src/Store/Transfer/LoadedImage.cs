using Images.Core.References;
using Images.Store.Catalog;

namespace Images.Store.Transfer;

/// <summary>An image a load registered, with the names the archive gave it (none when it named none).</summary>
public sealed record LoadedImage(Image Image, IReadOnlyList<Reference> Names)
{
    /// <summary>
    /// What <c>docker load</c> prints for this image: <c>Loaded image: NAME:TAG</c> per name (familiar form),
    /// or <c>Loaded image ID: sha256:…</c> when it has no name.
    /// </summary>
    public IEnumerable<string> Messages() =>
        Names.Count == 0
            ? [$"Loaded image ID: {Image.Id}"]
            : Names.Select(n => $"Loaded image: {n.ToFamiliarString()}");
}
