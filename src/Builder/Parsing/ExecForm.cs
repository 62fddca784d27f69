using System.Text;
using System.Text.Json;

namespace Images.Builder.Parsing;

/// <summary>
/// The exec (JSON) form of an instruction's arguments, read as Docker reads it: the first JSON value of the
/// text must be an array; text after that array is ignored (Go's json.Decoder stops there). Text that is not
/// a JSON array is not an error: it is the shell form. An array holding anything but strings is an error.
/// </summary>
internal static class ExecForm
{
    public const string NotStringsMessage = "when using JSON array syntax, arrays must be comprised of strings only";

    /// <summary>The array's strings; null when the text is not a JSON array (shell form).</summary>
    /// <param name="notStrings">True when it is a JSON array with a non-string element (an error for the caller).</param>
    public static IReadOnlyList<string>? TryParse(string text, out bool notStrings)
    {
        notStrings = false;
        string trimmed = text.TrimStart();
        if (!trimmed.StartsWith('['))
        {
            return null;
        }
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(trimmed), new JsonReaderOptions { AllowMultipleValues = true });
            using var document = JsonDocument.ParseValue(ref reader);
            var items = new List<string>();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    notStrings = true;
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
