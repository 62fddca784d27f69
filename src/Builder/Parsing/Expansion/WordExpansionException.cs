namespace Images.Builder.Parsing;

/// <summary>
/// A word that cannot be expanded (an unterminated quote, <c>${V:?message}</c> with V unset, a bad
/// substitution). The engine turns it into a <see cref="RecipeException"/> with <see cref="Recipe.ErrorAt"/>.
/// </summary>
public sealed class WordExpansionException : Exception
{
    public WordExpansionException(string word, string reason)
        : base($"cannot expand \"{word}\": {reason}")
    {
        Word = word;
        Reason = reason;
    }

    public string Word { get; }

    public string Reason { get; }
}
