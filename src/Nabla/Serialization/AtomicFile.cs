namespace Nabla.Serialization;

/// <summary>Writes a file so that readers see either the old content or the whole new content, never a torn write.</summary>
public static class AtomicFile
{
    /// <summary>Writes to a temporary file in the same folder, flushes it to disk, then renames it over <paramref name="path"/>.
    /// If <paramref name="write"/> throws, the temporary file is removed and the existing file is untouched.</summary>
    /// <exception cref="IOException">The folder cannot be created or written, or writing or renaming fails (the
    /// message names <paramref name="path"/> and why, never the temporary file).</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        FileStream created;
        try
        {
            Directory.CreateDirectory(directory);
            created = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // .NET names the temporary file, which the user never asked for: name the file they did.
            throw new IOException($"cannot write {path}: {WhyNotWritable(directory, e).Replace(temporary, full, StringComparison.Ordinal)}", e);
        }

        try
        {
            using (var stream = created)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (IOException e)
        {
            File.Delete(temporary);
            // A disk that fills up while writing, or a rename refused: said of the file asked for, not the temporary one.
            throw new IOException($"cannot write {path}: {e.Message.Replace(temporary, full, StringComparison.Ordinal)}", e);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Throws unless <paramref name="directory"/> is (or can be made) a folder that files can be written in:
    /// it is created if missing, and a probe file is created and deleted in it. For commands that write their results
    /// at the end of a long run, to refuse at once what would fail only then.</summary>
    /// <exception cref="IOException">The folder cannot be created or written; the message names it and says why.</exception>
    public static void EnsureWritableFolder(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var full = Path.GetFullPath(directory);
        if (File.Exists(full)) throw new IOException($"'{directory}' is a file, not a folder");
        var probe = Path.Combine(full, $".nabla-probe.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(full);
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write in '{directory}': {WhyNotWritable(full, e).Replace(probe, full, StringComparison.Ordinal)}", e);
        }
    }

    /// <summary>Why files cannot be written in <paramref name="directory"/>, in words: the part of the path that is a
    /// file, a denied permission, or else the system's reason.</summary>
    private static string WhyNotWritable(string directory, Exception e)
    {
        for (var folder = directory; !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(folder)) return $"'{folder}' is a file, not a folder";
            if (Directory.Exists(folder)) break;
        }

        if (e is UnauthorizedAccessException) return "permission denied";
        return Directory.Exists(directory) ? $"files cannot be created in it ({e.Message})" : $"the folder cannot be created ({e.Message})";
    }
}
