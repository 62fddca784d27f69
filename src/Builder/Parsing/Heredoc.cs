namespace Images.Builder.Parsing;

/// <summary>
/// A here-document attached to a RUN, COPY or ADD instruction (<c>&lt;&lt;EOF</c> ... <c>EOF</c>).
/// </summary>
/// <param name="Name">The delimiter word, quotes removed (<c>EOF</c>).</param>
/// <param name="Content">The body, one <c>\n</c> after each line; with <see cref="StripTabs"/>, leading tabs already removed.</param>
/// <param name="Expand">False when the delimiter was quoted (<c>&lt;&lt;"EOF"</c>, <c>&lt;&lt;'EOF'</c>): the body is then taken literally.</param>
/// <param name="StripTabs">True for <c>&lt;&lt;-EOF</c>.</param>
/// <param name="FileDescriptor">The descriptor written before the marker (<c>3&lt;&lt;EOF</c>), or null.</param>
/// <param name="Marker">The marker word as written (<c>&lt;&lt;-"EOF"</c>).</param>
/// <param name="Position">Where the marker starts.</param>
public sealed record Heredoc(
    string Name,
    string Content,
    bool Expand,
    bool StripTabs,
    int? FileDescriptor,
    string Marker,
    SourcePosition Position);
