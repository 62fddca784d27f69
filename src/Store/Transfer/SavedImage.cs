using Images.Core.References;
using Images.Store.Catalog;

namespace Images.Store.Transfer;

/// <summary>An image a save writes, with the names it is saved under (none when it was given by id).</summary>
internal sealed record SavedImage(Image Image, List<Reference> Names)
{
    /// <summary>
    /// Resolves the references of a save, in order: one entry per image, names merged. A reference names the image
    /// when it is one of the image's tags; an id or id prefix saves the image without a name, as docker save does.
    /// </summary>
    public static IReadOnlyList<SavedImage> Resolve(IImageStore images, IReadOnlyList<string> references)
    {
        var saved = new List<SavedImage>();
        foreach (string reference in references)
        {
            Image image;
            try
            {
                image = images.Resolve(reference);
            }
            catch (ImageNotFoundException e)
            {
                throw new TransferException($"cannot save \"{reference}\": {e.Message}", e);
            }
            var entry = saved.Find(s => s.Image.Id == image.Id);
            if (entry is null) saved.Add(entry = new SavedImage(image, []));
            if (Reference.TryParse(reference, out var name) && image.Tags.Contains(name) && !entry.Names.Contains(name))
                entry.Names.Add(name);
        }
        return saved;
    }
}
