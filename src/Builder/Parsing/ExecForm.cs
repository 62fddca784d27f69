using System.Text.Json;

namespace Images.Builder.Parsing;

/// <summary>
/// The exec (JSON) form of an instruction's arguments. As Docker, text that is not a JSON array of strings is
/// not an error: it is the shell form.
/// </summary>
internal static class ExecForm
{
    public static IReadOnlyList<string>? TryParse(string text)
    {
        string trimmed = text.Trim();
        if (!trimmed.StartsWith('['))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(trimmed);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }
            var items = new List<string>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    return null;
                }
                items.Add(element.GetString()!);
            }
            return items;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
