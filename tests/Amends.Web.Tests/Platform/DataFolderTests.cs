using Amends.Web.Persistence;

namespace Amends.Web.Tests.Platform;

public sealed class DataFolderTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_data_folder_is_created_readable_by_its_owner_only()
    {
        var root = Path.Combine(Path.GetTempPath(), "amends-tests", "datafolder-" + Guid.NewGuid().ToString("N")[..8]);
        var data = Path.Combine(root, "data");
        try
        {
            DataFolder.Ensure(data);

            Assert.Equal(DataFolder.OwnerOnly, File.GetUnixFileMode(data));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
