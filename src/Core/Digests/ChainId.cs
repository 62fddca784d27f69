namespace Images.Core.Digests;

/// <summary>
/// ChainID as the OCI image-spec defines it: the identity of a stack of layers.
/// ChainID(L1) = DiffID(L1); ChainID(L1..Ln) = sha256(ChainID(L1..Ln-1) + " " + DiffID(Ln)).
/// </summary>
public static class ChainId
{
    public static Digest Of(Digest? parentChainId, Digest diffId) =>
        parentChainId is { } parent
            ? Digest.Compute(System.Text.Encoding.ASCII.GetBytes($"{parent} {diffId}"))
            : diffId;

    /// <summary>The chain ids of every prefix of <paramref name="diffIds"/>, bottom layer first.</summary>
    public static IReadOnlyList<Digest> All(IEnumerable<Digest> diffIds)
    {
        var result = new List<Digest>();
        Digest? parent = null;
        foreach (var diffId in diffIds)
        {
            parent = Of(parent, diffId);
            result.Add(parent.Value);
        }
        return result;
    }

    public static Digest? Top(IEnumerable<Digest> diffIds)
    {
        var all = All(diffIds);
        return all.Count == 0 ? null : all[^1];
    }
}
