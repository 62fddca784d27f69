using Images.Core.Digests;
using Microsoft.Data.Sqlite;

namespace Images.Store;

/// <summary>Deployed apps and their releases (see <see cref="Apps.AppStore"/>).</summary>
internal sealed partial class Metadata
{
    /// <summary>
    /// An app has numbered releases; at most one is <c>live</c> (the app's current release). A release pins its image
    /// by id (the foreign key makes removing a deployed image fail loudly instead of breaking a rollback).
    /// </summary>
    private const string AppsSchema = """
        CREATE TABLE apps(
            name TEXT PRIMARY KEY,
            created TEXT NOT NULL);
        CREATE TABLE app_releases(
            app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            image_id TEXT NOT NULL REFERENCES images(id),
            container TEXT,
            state TEXT NOT NULL,
            reason TEXT,
            created TEXT NOT NULL,
            switched TEXT,
            PRIMARY KEY(app, number));
        CREATE UNIQUE INDEX app_releases_live ON app_releases(app) WHERE state = 'live';
        CREATE INDEX app_releases_image ON app_releases(image_id);
        """;

    private const string ReleaseColumns = "app, number, image_id, container, state, reason, created, switched";

    /// <summary>Adds a <c>pending</c> release of <paramref name="app"/> (creating the app) and returns its number.</summary>
    public int AddRelease(string app, Digest imageId, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var tx = Begin();
            Exec("INSERT OR IGNORE INTO apps(name, created) VALUES($a, $t)", ("$a", app), ("$t", Format(now)));
            int number = (int)(long)Scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM app_releases WHERE app = $a", ("$a", app))!;
            Exec("INSERT INTO app_releases(app, number, image_id, state, created) VALUES($a, $n, $i, 'pending', $t)",
                ("$a", app), ("$n", number), ("$i", imageId), ("$t", Format(now)));
            tx.Commit();
            return number;
        }
    }

    public void SetReleaseContainer(string app, int number, string container)
    {
        lock (_gate)
            Exec("UPDATE app_releases SET container = $c WHERE app = $a AND number = $n", ("$c", container), ("$a", app), ("$n", number));
    }

    /// <summary>Marks a pending release failed with why; false when it was not pending.</summary>
    public bool FailRelease(string app, int number, string reason)
    {
        lock (_gate)
            return Exec("UPDATE app_releases SET state = 'failed', reason = $r WHERE app = $a AND number = $n AND state = 'pending'",
                ("$r", reason), ("$a", app), ("$n", number)) == 1;
    }

    /// <summary>
    /// The switch: in one transaction the live release (if any) becomes <c>retired</c> and <paramref name="number"/>
    /// becomes <c>live</c>. Returns the release that was live before, or null.
    /// </summary>
    public int? SwitchRelease(string app, int number, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var tx = Begin();
            var state = (string?)Scalar("SELECT state FROM app_releases WHERE app = $a AND number = $n", ("$a", app), ("$n", number))
                ?? throw new InvalidOperationException($"app '{app}' has no release {number}");
            if (state == "live") return null;
            if (state == "failed")
                throw new InvalidOperationException($"release {number} of app '{app}' failed; deploy again instead of switching to it");
            int? previous = Scalar("SELECT number FROM app_releases WHERE app = $a AND state = 'live'", ("$a", app)) is long p ? (int)p : null;
            Exec("UPDATE app_releases SET state = 'retired' WHERE app = $a AND state = 'live'", ("$a", app));
            Exec("UPDATE app_releases SET state = 'live', switched = $t, reason = NULL WHERE app = $a AND number = $n",
                ("$t", Format(now)), ("$a", app), ("$n", number));
            tx.Commit();
            return previous;
        }
    }

    public IReadOnlyList<string> ListApps()
    {
        lock (_gate) return Query("SELECT name FROM apps ORDER BY name", r => r.GetString(0));
    }

    /// <summary>An app's releases, newest first.</summary>
    public IReadOnlyList<ReleaseRow> ListReleases(string app)
    {
        lock (_gate)
            return Query($"SELECT {ReleaseColumns} FROM app_releases WHERE app = $a ORDER BY number DESC", ReadRelease, ("$a", app));
    }

    /// <summary>Every release in <paramref name="state"/>, of every app.</summary>
    public IReadOnlyList<ReleaseRow> ReleasesIn(string state)
    {
        lock (_gate)
            return Query($"SELECT {ReleaseColumns} FROM app_releases WHERE state = $s ORDER BY app, number", ReadRelease, ("$s", state));
    }

    public bool DeleteRelease(string app, int number)
    {
        lock (_gate)
            return Exec("DELETE FROM app_releases WHERE app = $a AND number = $n AND state <> 'live'", ("$a", app), ("$n", number)) == 1;
    }

    /// <summary>Whether a release of any app pins <paramref name="imageId"/>.</summary>
    public IReadOnlyList<string> AppsUsingImage(Digest imageId)
    {
        lock (_gate)
            return Query("SELECT DISTINCT app FROM app_releases WHERE image_id = $i ORDER BY app", r => r.GetString(0), ("$i", imageId));
    }

    private static ReleaseRow ReadRelease(SqliteDataReader r) => new(
        r.GetString(0), r.GetInt32(1), Digest.Parse(r.GetString(2)), r.IsDBNull(3) ? null : r.GetString(3),
        r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), Parse(r.GetString(6)), r.IsDBNull(7) ? null : Parse(r.GetString(7)));
}

internal sealed record ReleaseRow(
    string App, int Number, Digest ImageId, string? Container, string State, string? Reason, DateTimeOffset Created, DateTimeOffset? Switched);
