namespace Images.Registry.Client.Auth;

/// <summary>A user name and password (or token as password) for one registry.</summary>
public sealed record RegistryCredential(string Username, string Password)
{
    public override string ToString() => $"RegistryCredential {{ Username = {Username} }}"; // never the password
}

/// <summary>Looks up the credential for a registry host (<c>host[:port]</c>, as in a reference).</summary>
public interface ICredentialSource
{
    RegistryCredential? Find(string registry);
}
