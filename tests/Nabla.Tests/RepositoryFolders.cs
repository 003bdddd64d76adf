namespace Nabla.Tests;

/// <summary>Where the checkout lies, for tests that read its own files (the docs, the library's sources).</summary>
internal static class RepositoryFolders
{
    /// <summary>The folder holding Nabla.slnx, found by walking up from the test assembly's folder.</summary>
    /// <exception cref="DirectoryNotFoundException">No folder above the test assembly holds Nabla.slnx.</exception>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nabla.slnx"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException($"no folder above {AppContext.BaseDirectory} holds Nabla.slnx");
    }
}
