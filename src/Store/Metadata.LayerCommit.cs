using Images.Core.Oci;

namespace Images.Store;

internal sealed partial class Metadata
{
    /// <summary>
    /// Makes rw layer <paramref name="rwName"/> (driver id <paramref name="driverId"/>) the driver copy of
    /// <paramref name="layer"/> in one transaction: the layer row (unless the chain exists), its blob, the driver copy,
    /// and the rw row dropped. Returns true when the directory was adopted, false when the chain had a copy in this
    /// driver already (the directory is then moved to <c>pending</c> for the caller to remove), null when the rw
    /// layer is gone.
    /// </summary>
    public bool? AdoptRw(string rwName, string driverId, LayerRow layer, Descriptor blob, string driver)
    {
        lock (_gate)
        {
            using var tx = Begin();
            if (Scalar("SELECT 1 FROM rw_layers WHERE name = $n AND driver = $d AND driver_id = $i",
                    ("$n", rwName), ("$d", driver), ("$i", driverId)) is null)
                return null;
            Exec("INSERT OR IGNORE INTO layers(chain_id, diff_id, parent, size, created) VALUES($c, $d, $p, $s, $t)",
                ("$c", layer.ChainId), ("$d", layer.DiffId), ("$p", layer.Parent), ("$s", layer.Size), ("$t", Format(layer.Created)));
            InsertLayerBlob(layer.ChainId, blob);
            Exec("DELETE FROM rw_layers WHERE name = $n", ("$n", rwName));
            bool adopted = InsertDriverLayer(driver, layer.ChainId, driverId);
            if (!adopted) InsertPending(driver, driverId);
            tx.Commit();
            return adopted;
        }
    }
}
