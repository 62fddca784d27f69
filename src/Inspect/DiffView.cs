using System.Text.Json;

namespace Images.Inspect;

/// <summary>How <c>images diff</c> shows its result: Docker's <c>A|C|D path</c> lines, or a JSON array.</summary>
public static class DiffView
{
    public static void WriteText(TextWriter output, IReadOnlyList<DiffEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var e in entries) output.WriteLine($"{e.Letter} {e.Path}");
    }

    public static void WriteJson(Stream output, IReadOnlyList<DiffEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(entries);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var e in entries)
        {
            json.WriteStartObject();
            json.WriteString("path", e.Path);
            json.WriteString("kind", e.Kind.ToString().ToLowerInvariant());
            Side(json, "before", e.Before);
            Side(json, "after", e.After);
            if (e.Before is { } b && e.After is { } a)
            {
                json.WriteStartArray("differences");
                if (b.Type != a.Type) json.WriteStringValue("type");
                if (b.Size != a.Size) json.WriteStringValue("size");
                if (b.Type == a.Type && b.Type == FileType.File && b.Size == a.Size && b.ContentDigest != a.ContentDigest) json.WriteStringValue("content");
                if (b.Mode != a.Mode) json.WriteStringValue("mode");
                if (b.Uid != a.Uid || b.Gid != a.Gid) json.WriteStringValue("owner");
                if (b.LinkTarget != a.LinkTarget) json.WriteStringValue("linkTarget");
                if (b.DevMajor != a.DevMajor || b.DevMinor != a.DevMinor) json.WriteStringValue("device");
                if (b.Xattrs != a.Xattrs) json.WriteStringValue("xattrs");
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void Side(Utf8JsonWriter json, string name, FileFacts? facts)
    {
        if (facts is null)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteString("type", facts.TypeText);
        json.WriteNumber("size", facts.Size);
        json.WriteString("mode", facts.ModeText);
        json.WriteNumber("uid", facts.Uid);
        json.WriteNumber("gid", facts.Gid);
        if (facts.LinkTarget is { } target) json.WriteString("linkTarget", target);
        if (facts.ContentDigest is { } digest) json.WriteString("sha256", digest);
        json.WriteEndObject();
    }
}
