using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Amends.Web.Tests.Infrastructure;

/// <summary>
/// A real IMAP server for the tests: Debian's Dovecot (<c>dovecot-imapd</c>, which <c>./test.sh</c> installs), started
/// on a free loopback port with its own configuration, mail and state under a temp folder, and stopped with it. Mail
/// "arrives" as it does from a mail server's delivery agent: appended to the mailbox's INBOX (here over IMAP).
/// </summary>
public sealed class TestImapServer : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/dovecot";

    private readonly string _root;
    private readonly string _config;

    private TestImapServer(string root, int port)
    {
        _root = root;
        Port = port;
        _config = Path.Combine(root, "dovecot.conf");
    }

    public int Port { get; }

    public string Username => "support";

    public string Password => "imap-test-password";

    public static async Task<TestImapServer> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install Debian's dovecot-imapd (./test.sh does) to run the e-mail tests.");
        }

        var root = Path.Combine(Path.GetTempPath(), "amends-imap-" + Guid.NewGuid().ToString("N")[..12]);
        var server = new TestImapServer(root, FreePort());
        await server.WriteConfigurationAsync();
        await server.RunAsync("-c", server._config);
        await server.WaitUntilListeningAsync();
        return server;
    }

    /// <summary>Stops the server, as a mail server that goes down for a while; <see cref="StartAgainAsync"/> brings it back on the same port.</summary>
    public async Task StopAsync()
    {
        // The IMAP processes serving open connections outlive Dovecot's master: end them too, as a server going down does.
        var children = Children(int.Parse(await File.ReadAllTextAsync(Path.Combine(_root, "run", "master.pid")), CultureInfo.InvariantCulture));
        await RunAsync("-c", _config, "stop");
        foreach (var child in children)
        {
            try
            {
                using var process = Process.GetProcessById(child);
                process.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already.
            }
        }

        var until = TimeProvider.System.GetUtcNow().AddSeconds(20);
        while (TimeProvider.System.GetUtcNow() < until && File.Exists(Path.Combine(_root, "run", "master.pid")))
        {
            await Task.Delay(50);
        }
    }

    public async Task StartAgainAsync()
    {
        await RunAsync("-c", _config);
        await WaitUntilListeningAsync();
    }

    /// <summary>Puts a message into the mailbox's INBOX, as the mail server's delivery would; returns its IMAP UID.</summary>
    public async Task<UniqueId?> DeliverAsync(MimeMessage message, CancellationToken ct = default)
    {
        using var client = await ConnectAsync(ct);
        var uid = await client.Inbox.AppendAsync(new AppendRequest(message, MessageFlags.None), ct);
        await client.DisconnectAsync(true, ct);
        return uid;
    }

    /// <summary>How many messages the INBOX holds.</summary>
    public async Task<int> CountAsync(CancellationToken ct = default)
    {
        using var client = await ConnectAsync(ct);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, ct);
        var count = client.Inbox.Count;
        await client.DisconnectAsync(true, ct);
        return count;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("-c", _config, "stop");
        }
        catch (InvalidOperationException)
        {
            // Stopped already.
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A process still closing a file: test.sh removes its whole temp folder at the end.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task<ImapClient> ConnectAsync(CancellationToken ct)
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None, ct);
        await client.AuthenticateAsync(Username, Password, ct);
        return client;
    }

    private async Task WriteConfigurationAsync()
    {
        foreach (var folder in new[] { "run", "state", "mail", "home" })
        {
            Directory.CreateDirectory(Path.Combine(_root, folder));
        }

        // Dovecot drops to an unprivileged user for mail access: it owns the mail and home folders.
        var asRoot = Environment.UserName == "root";
        var user = asRoot ? "uid=65534 gid=65534" : $"uid={Id("-u")} gid={Id("-g")}";
        await File.WriteAllTextAsync(Path.Combine(_root, "users"), $"{Username}:{{PLAIN}}{Password}\n");
        await File.WriteAllTextAsync(_config, $$"""
            base_dir = {{_root}}/run
            state_dir = {{_root}}/state
            log_path = {{_root}}/log
            info_log_path = {{_root}}/log
            protocols = imap
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:{{_root}}/mail/%u
            first_valid_uid = 1
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{_root}}/users
            }
            userdb {
              driver = static
              args = {{user}} home={{_root}}/home/%u
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{Port}}
              }
              inet_listener imaps {
                port = 0
              }
              chroot =
            }
            service anvil {
              chroot =
            }
            """);
        if (asRoot)
        {
            await RunCommandAsync("chown", "-R", "65534:65534", Path.Combine(_root, "mail"), Path.Combine(_root, "home"));
        }
    }

    private async Task WaitUntilListeningAsync()
    {
        var until = TimeProvider.System.GetUtcNow().AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = await ConnectAsync(CancellationToken.None);
                await client.DisconnectAsync(true);
                return;
            }
            catch (Exception e) when (e is SocketException or IOException or ImapProtocolException or AuthenticationException && TimeProvider.System.GetUtcNow() < until)
            {
                await Task.Delay(100);
            }
        }
    }

    private async Task RunAsync(params string[] arguments)
    {
        try
        {
            await RunCommandAsync(Binary, arguments);
        }
        catch (InvalidOperationException e) when (File.Exists(Path.Combine(_root, "log")))
        {
            throw new InvalidOperationException(e.Message + "\n" + await File.ReadAllTextAsync(Path.Combine(_root, "log")), e);
        }
    }

    /// <summary>
    /// Runs a command to its end. Its output is not captured: Dovecot's master forks into the background and would keep
    /// captured pipes open for as long as it runs. Dovecot writes what matters to its own log.
    /// </summary>
    private static async Task RunCommandAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}.");
        }
    }

    private static string Id(string flag)
    {
        var start = new ProcessStartInfo("id", flag) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var value = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return int.Parse(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The processes whose parent is <paramref name="parent"/>, read from /proc.</summary>
    private static List<int> Children(int parent)
    {
        var children = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            try
            {
                // "pid (name) state ppid …": the name may hold spaces and parentheses, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return children;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
