using System.Text;
using Images.Core.Digests;
using Images.Core.Oci;

namespace Images.Builder.Engine;

/// <summary>
/// Build cache keys. A step's result is determined by: the layer chain it starts from (chain ids name content),
/// the config it runs with (env, user, workdir, shell: RUN sees them all), the instruction after substitution,
/// the build args it used (with values), and for COPY/ADD the checksum of each source (content, mode, owner,
/// xattrs, link targets; not mtime). Equal keys therefore mean equal results.
/// </summary>
internal static class CacheKeys
{
    private const string Version = "images-build-cache v1";

    public static Digest For(Digest? parent, ContainerConfig config, string step, IEnumerable<KeyValuePair<string, string?>> args, IEnumerable<string> sources)
    {
        var text = new StringBuilder();
        text.Append(Version).Append('\n');
        text.Append("parent ").Append(parent?.ToString() ?? "scratch").Append('\n');
        text.Append("config ").Append(Digest.Compute(OciJson.Serialize(config))).Append('\n');
        text.Append("step ").Append(step.Length).Append(' ').Append(step).Append('\n');
        foreach (var (name, value) in args.OrderBy(a => a.Key, StringComparer.Ordinal))
            text.Append("arg ").Append(name).Append('=').Append(value ?? "\0unset").Append('\n');
        foreach (string source in sources) text.Append("source ").Append(source).Append('\n');
        return Digest.Compute(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
