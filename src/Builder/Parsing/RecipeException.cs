using System.Text;

namespace Images.Builder.Parsing;

/// <summary>
/// A recipe that cannot be parsed or expanded. The message reads
/// <c>Dockerfile:3:6: unknown instruction "RUNN"</c> followed by the offending line and a caret under the column.
/// </summary>
public sealed class RecipeException : Exception
{
    public RecipeException(string fileName, SourcePosition position, string lineText, string reason)
        : base(Format(fileName, position, lineText, reason))
    {
        FileName = fileName;
        Position = position;
        LineText = lineText;
        Reason = reason;
    }

    /// <summary>The recipe's file name as the user named it (e.g. <c>Dockerfile</c>).</summary>
    public string FileName { get; }

    public SourcePosition Position { get; }

    public int Line => Position.Line;

    public int Column => Position.Column;

    /// <summary>The physical line the error points into, without its line break.</summary>
    public string LineText { get; }

    /// <summary>The cause alone, without the file position and the quoted line.</summary>
    public string Reason { get; }

    private static string Format(string fileName, SourcePosition position, string lineText, string reason)
    {
        var text = new StringBuilder();
        text.Append(fileName).Append(':').Append(position.Line).Append(':').Append(position.Column)
            .Append(": ").Append(reason).Append('\n');
        text.Append("    ").Append(lineText).Append('\n');
        // Keep tabs in the indentation so the caret lines up under tab-indented text.
        text.Append("    ");
        for (int i = 0; i < position.Column - 1 && i < lineText.Length; i++)
        {
            text.Append(lineText[i] == '\t' ? '\t' : ' ');
        }
        for (int i = lineText.Length; i < position.Column - 1; i++)
        {
            text.Append(' ');
        }
        text.Append('^');
        return text.ToString();
    }
}
