using System.Text;

namespace Images.Builder.Parsing;

/// <summary>
/// Replaces variables in instruction arguments as Docker's shell lexer (<c>ProcessWord</c>/<c>ProcessWords</c>)
/// does, and removes the quoting: <c>$V</c>, <c>${V}</c>; <c>${V:-word}</c> / <c>${V-word}</c> (default when
/// unset-or-empty / unset); <c>${V:+word}</c> / <c>${V+word}</c> (alternative when set-and-non-empty / set);
/// <c>${V:?message}</c> / <c>${V?message}</c> (error when unset-or-empty / unset); <c>${V#pattern}</c>,
/// <c>${V##pattern}</c>, <c>${V%pattern}</c>, <c>${V%%pattern}</c> (remove shortest/longest prefix/suffix);
/// <c>${V/pattern/text}</c>, <c>${V//pattern/text}</c> (replace first/all). Single quotes are literal; in double
/// quotes the escape character escapes only <c>"</c>, <c>$</c> and itself; elsewhere it escapes any character.
/// The escape character is the recipe's (<c>\</c> or <c>`</c>). An unset variable expands to nothing; a null
/// value in the environment means declared but unset (an ARG without a value).
/// </summary>
public sealed class ShellWordExpander
{
    public ShellWordExpander(char escapeChar = '\\')
    {
        if (escapeChar is not ('\\' or '`'))
        {
            throw new ArgumentException($"the escape character must be \\ or `, not '{escapeChar}'", nameof(escapeChar));
        }
        EscapeChar = escapeChar;
    }

    public char EscapeChar { get; }

    /// <summary>Expands one word (quotes removed, white space kept).</summary>
    public string ExpandWord(string word, IReadOnlyDictionary<string, string?> environment) =>
        ExpandWord(word, environment, null);

    /// <summary>As <see cref="ExpandWord(string, IReadOnlyDictionary{string, string?})"/>; adds every variable name the word refers to to <paramref name="referenced"/>.</summary>
    public string ExpandWord(string word, IReadOnlyDictionary<string, string?> environment, ISet<string>? referenced)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(environment);
        return new Lexer(word, EscapeChar, environment, referenced).Process(null, rawEscapes: false).Text;
    }

    /// <summary>
    /// Expands <paramref name="text"/> and splits it into words at unquoted white space, the white space coming
    /// from variables included (<c>EXPOSE $PORTS</c>); quoted text stays one word.
    /// </summary>
    public IReadOnlyList<string> ExpandWords(string text, IReadOnlyDictionary<string, string?> environment, ISet<string>? referenced = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(environment);
        return new Lexer(text, EscapeChar, environment, referenced).Process(null, rawEscapes: false).Words;
    }

    /// <summary>Collects words as Docker does: white space splits words unless it came from quotes or an escape.</summary>
    private sealed class WordCollector
    {
        private readonly List<string> _words = [];
        private readonly StringBuilder _current = new();
        private bool _inWord;

        public void AddChar(char c)
        {
            if (char.IsWhiteSpace(c))
            {
                if (_inWord)
                {
                    Flush();
                }
                return;
            }
            AddRaw(c);
        }

        public void AddExpanded(string text)
        {
            foreach (char c in text)
            {
                AddChar(c);
            }
        }

        public void AddRaw(char c)
        {
            _current.Append(c);
            _inWord = true;
        }

        public void AddRaw(string text)
        {
            _current.Append(text);
            _inWord = true;
        }

        public List<string> Finish()
        {
            if (_inWord)
            {
                Flush();
            }
            return _words;
        }

        private void Flush()
        {
            _words.Add(_current.ToString());
            _current.Clear();
            _inWord = false;
        }
    }

    private sealed class Lexer(string word, char escape, IReadOnlyDictionary<string, string?> environment, ISet<string>? referenced)
    {
        private int _position;

        private bool AtEnd => _position >= word.Length;

        private WordExpansionException Error(string reason) => new(word, reason);

        /// <summary>Processes up to <paramref name="stop"/> (consumed) or the end; returns the stop found.</summary>
        public (string Text, List<string> Words, char? Stop) Process(string? stop, bool rawEscapes)
        {
            var text = new StringBuilder();
            var words = new WordCollector();
            while (!AtEnd)
            {
                char c = word[_position];
                if (stop is not null && stop.Contains(c))
                {
                    _position++;
                    return (text.ToString(), words.Finish(), c);
                }
                switch (c)
                {
                    case '\'':
                        string single = SingleQuoted();
                        text.Append(single);
                        words.AddRaw(single);
                        continue;
                    case '"':
                        string quoted = DoubleQuoted();
                        text.Append(quoted);
                        words.AddRaw(quoted);
                        continue;
                    case '$':
                        string value = Dollar();
                        text.Append(value);
                        words.AddExpanded(value);
                        continue;
                }
                _position++;
                if (c == escape)
                {
                    if (rawEscapes)
                    {
                        text.Append(c);
                        words.AddRaw(c);
                    }
                    if (AtEnd)
                    {
                        break;
                    }
                    c = word[_position++];
                    words.AddRaw(c);
                }
                else
                {
                    words.AddChar(c);
                }
                text.Append(c);
            }
            if (stop is not null)
            {
                throw Error($"unexpected end of statement while looking for matching {stop[^1]}");
            }
            return (text.ToString(), words.Finish(), null);
        }

        private string SingleQuoted()
        {
            int start = ++_position;
            int end = word.IndexOf('\'', start);
            if (end < 0)
            {
                throw Error("unexpected end of statement while looking for matching single-quote");
            }
            _position = end + 1;
            return word[start..end];
        }

        private string DoubleQuoted()
        {
            _position++;
            var text = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("unexpected end of statement while looking for matching double-quote");
                }
                char c = word[_position];
                if (c == '"')
                {
                    _position++;
                    return text.ToString();
                }
                if (c == '$')
                {
                    text.Append(Dollar());
                    continue;
                }
                _position++;
                if (c == escape && !AtEnd && (word[_position] == '"' || word[_position] == '$' || word[_position] == escape))
                {
                    c = word[_position++];
                }
                text.Append(c);
            }
        }

        private string? Lookup(string name)
        {
            referenced?.Add(name);
            return environment.TryGetValue(name, out string? value) ? value : null;
        }

        private string Name()
        {
            if (AtEnd)
            {
                return string.Empty;
            }
            int start = _position;
            char first = word[_position];
            if (char.IsDigit(first))
            {
                while (!AtEnd && char.IsDigit(word[_position]))
                {
                    _position++;
                }
                return word[start.._position];
            }
            if (first is '@' or '*' or '#' or '?' or '-' or '$' or '!' or '0')
            {
                _position++;
                return first.ToString();
            }
            while (!AtEnd && (char.IsLetterOrDigit(word[_position]) || word[_position] == '_'))
            {
                _position++;
            }
            return word[start.._position];
        }

        private string Dollar()
        {
            _position++;
            if (AtEnd || word[_position] != '{')
            {
                string name = Name();
                return name.Length == 0 ? "$" : Lookup(name) ?? string.Empty;
            }
            _position++;
            string braced = BracedName();
            if (AtEnd)
            {
                throw Error($"missing '}}' after ${{{braced}");
            }
            string? value = Lookup(braced);
            char modifier = word[_position++];
            switch (modifier)
            {
                case '}':
                    return value ?? string.Empty;
                case ':':
                    if (AtEnd)
                    {
                        throw Error($"missing modifier after ${{{braced}:");
                    }
                    char colonModifier = word[_position++];
                    string colonWord = Process("}", rawEscapes: false).Text;
                    bool setAndNonEmpty = !string.IsNullOrEmpty(value);
                    return colonModifier switch
                    {
                        '-' => setAndNonEmpty ? value! : colonWord,
                        '+' => setAndNonEmpty ? colonWord : string.Empty,
                        '?' => setAndNonEmpty ? value! : throw Error($"{braced}: {(colonWord.Length > 0 ? colonWord : "is not allowed to be unset or empty")}"),
                        _ => throw Error($"unsupported modifier ({colonModifier}) in substitution ${{{braced}:{colonModifier}...}}"),
                    };
                case '-':
                    string fallback = Process("}", rawEscapes: false).Text;
                    return value ?? fallback;
                case '+':
                    string alternative = Process("}", rawEscapes: false).Text;
                    return value is null ? string.Empty : alternative;
                case '?':
                    string message = Process("}", rawEscapes: false).Text;
                    return value ?? throw Error($"{braced}: {(message.Length > 0 ? message : "is not allowed to be unset")}");
                case '#':
                case '%':
                    bool longest = !AtEnd && word[_position] == modifier;
                    if (longest)
                    {
                        _position++;
                    }
                    string pattern = Process("}", rawEscapes: true).Text;
                    return modifier == '#' ? RemovePrefix(value ?? string.Empty, pattern, longest) : RemoveSuffix(value ?? string.Empty, pattern, longest);
                case '/':
                    bool all = !AtEnd && word[_position] == '/';
                    if (all)
                    {
                        _position++;
                    }
                    var (find, _, stop) = Process("/}", rawEscapes: true);
                    string replacement = stop == '/' ? Process("}", rawEscapes: false).Text : string.Empty;
                    return Replace(value ?? string.Empty, find, replacement, all);
                default:
                    throw Error($"unsupported modifier ({modifier}) in substitution ${{{braced}{modifier}...}}");
            }
        }

        private string BracedName()
        {
            string name = Name();
            if (name.Length == 0)
            {
                throw Error("bad substitution: ${ must be followed by a variable name");
            }
            return name;
        }

        private string RemovePrefix(string value, string pattern, bool longest)
        {
            for (int i = 0; i <= value.Length; i++)
            {
                int length = longest ? value.Length - i : i;
                if (ShellPattern.Matches(pattern, value[..length], escape))
                {
                    return value[length..];
                }
            }
            return value;
        }

        private string RemoveSuffix(string value, string pattern, bool longest)
        {
            for (int i = 0; i <= value.Length; i++)
            {
                int start = longest ? i : value.Length - i;
                if (ShellPattern.Matches(pattern, value[start..], escape))
                {
                    return value[..start];
                }
            }
            return value;
        }

        private string Replace(string value, string pattern, string replacement, bool all)
        {
            if (pattern.Length == 0)
            {
                return value;
            }
            var result = new StringBuilder();
            int i = 0;
            bool replaced = false;
            while (i < value.Length)
            {
                int matchEnd = -1;
                if (all || !replaced)
                {
                    for (int end = value.Length; end > i; end--)
                    {
                        if (ShellPattern.Matches(pattern, value[i..end], escape))
                        {
                            matchEnd = end;
                            break;
                        }
                    }
                }
                if (matchEnd < 0)
                {
                    result.Append(value[i++]);
                    continue;
                }
                result.Append(replacement);
                replaced = true;
                i = matchEnd;
            }
            return result.ToString();
        }
    }
}
