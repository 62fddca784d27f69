using System.Globalization;
using System.Text.Json;

namespace Images.Inspect;

/// <summary>How <c>images layers</c> shows an <see cref="ImageReport"/>: a tree per layer then the image-wide figures, or JSON.</summary>
public sealed record LayersViewOptions
{
    /// <summary>Deepest tree level shown; deeper changes are folded into their ancestor at this depth. Null: all.</summary>
    public int? Depth { get; init; }

    /// <summary>Leave out entries a layer lists unchanged.</summary>
    public bool OnlyChanges { get; init; }

    /// <summary>Leave out the per-layer trees (the CI summary).</summary>
    public bool SummaryOnly { get; init; }

    /// <summary>Formats a byte count for people.</summary>
    public Func<long, string> Size { get; init; } = b => b.ToString(CultureInfo.InvariantCulture) + "B";
}

public static class LayersView
{
    public static void WriteText(TextWriter output, ImageReport report, LayersViewOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(options);
        output.WriteLine($"Image: {report.Name}");
        if (!options.SummaryOnly)
        {
            foreach (var layer in report.Layers)
            {
                output.WriteLine();
                output.WriteLine($"Layer {layer.Index + 1} of {report.Layers.Count}   {ShortDigest(layer)}   {options.Size(layer.Size)}");
                output.WriteLine($"  Command: {OneLine(layer.CreatedBy) ?? "(missing)"}");
                foreach (var row in ChangeTree.Rows(layer.Changes, options.Depth, options.OnlyChanges))
                    output.WriteLine("  " + Line(row, options));
            }
            output.WriteLine();
        }
        var e = report.Efficiency;
        output.WriteLine($"Total image size:        {options.Size(e.TotalSize)}");
        output.WriteLine($"Potential wasted space:  {options.Size(e.WastedBytes)}");
        output.WriteLine($"Image efficiency score:  {(e.Score * 100).ToString("0.00", CultureInfo.InvariantCulture)} %");
        output.WriteLine($"User wasted percent:     {(e.UserWastedPercent * 100).ToString("0.00", CultureInfo.InvariantCulture)} %");
        if (e.Inefficiencies.Count == 0) return;
        output.WriteLine();
        output.WriteLine("Count   Total Space   Path");
        foreach (var w in e.Inefficiencies)
            output.WriteLine($"{w.Occurrences,-7} {options.Size(w.CumulativeSize),-13} {w.Path}");
    }

    private static string Line(ChangeRow row, LayersViewOptions options)
    {
        var change = row.Change;
        char mark = change?.Kind switch
        {
            ChangeKind.Added => 'A',
            ChangeKind.Modified => 'M',
            ChangeKind.Removed => 'R',
            _ => ' ',
        };
        bool directory = change is null || change.Facts.IsDirectory;
        string name = new string(' ', 2 * (row.Depth - 1)) + row.Name + (directory ? "/" : "");
        if (change?.Kind != ChangeKind.Removed && change?.Facts.LinkTarget is { } target) name += " -> " + target;
        if (change?.HardLink == true) name += " (hard link)";
        if (row.HiddenChanges > 0) name += $"  (+{row.HiddenChanges} change{(row.HiddenChanges == 1 ? "" : "s")} below)";
        string size = directory && row.Bytes == 0 ? "" : options.Size(row.Bytes);
        return $"{mark} {size,10}  {name}";
    }

    public static void WriteJson(Stream output, ImageReport report, LayersViewOptions options, IReadOnlyList<string>? ciFailures = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(options);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("image", report.Name);
        json.WriteStartArray("layers");
        foreach (var layer in report.Layers)
        {
            json.WriteStartObject();
            json.WriteNumber("index", layer.Index + 1);
            json.WriteString("diffId", layer.DiffId.ToString());
            if (layer.CreatedBy is null) json.WriteNull("createdBy");
            else json.WriteString("createdBy", layer.CreatedBy);
            json.WriteNumber("size", layer.Size);
            if (!options.SummaryOnly)
            {
                json.WriteStartArray("changes");
                foreach (var row in ChangeTree.Rows(layer.Changes, options.Depth, options.OnlyChanges)) WriteRow(json, row);
                json.WriteEndArray();
            }
            json.WriteEndObject();
            json.Flush();
        }
        json.WriteEndArray();
        var e = report.Efficiency;
        json.WriteNumber("totalSize", e.TotalSize);
        json.WriteNumber("userSize", e.UserSize);
        json.WriteNumber("wastedBytes", e.WastedBytes);
        json.WriteNumber("userWastedPercent", e.UserWastedPercent);
        json.WriteNumber("efficiency", e.Score);
        json.WriteStartArray("inefficiencies");
        foreach (var w in e.Inefficiencies)
        {
            json.WriteStartObject();
            json.WriteString("path", w.Path);
            json.WriteNumber("count", w.Occurrences);
            json.WriteNumber("totalSize", w.CumulativeSize);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (ciFailures is not null)
        {
            json.WriteStartObject("ci");
            json.WriteBoolean("pass", ciFailures.Count == 0);
            json.WriteStartArray("failures");
            foreach (var f in ciFailures) json.WriteStringValue(f);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteRow(Utf8JsonWriter json, ChangeRow row)
    {
        json.WriteStartObject();
        json.WriteString("path", row.Path);
        json.WriteNumber("depth", row.Depth);
        var change = row.Change;
        json.WriteString("kind", change?.Kind.ToString().ToLowerInvariant() ?? "context");
        json.WriteNumber("size", row.Bytes);
        if (row.HiddenChanges > 0) json.WriteNumber("hiddenChanges", row.HiddenChanges);
        if (change is not null)
        {
            json.WriteString("type", change.Facts.TypeText);
            json.WriteString("mode", change.Facts.ModeText);
            json.WriteNumber("uid", change.Facts.Uid);
            json.WriteNumber("gid", change.Facts.Gid);
            if (change.Facts.LinkTarget is { } target) json.WriteString("linkTarget", target);
            if (change.HardLink) json.WriteBoolean("hardLink", true);
            if (change.Before is { } before && change.Kind == ChangeKind.Modified) json.WriteNumber("sizeBefore", before.Size);
        }
        json.WriteEndObject();
    }

    private static string ShortDigest(LayerReport layer) =>
        layer.DiffId.IsEmpty ? "(no diff id)" : $"{layer.DiffId.Algorithm}:{layer.DiffId.Short}";

    private static string? OneLine(string? text) => text?.Replace('\n', ' ').Replace('\t', ' ');
}
