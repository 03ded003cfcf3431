#include "tools/local_redis.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <system_error>
#include <thread>
#include <vector>

#include "common/redis_link.hpp"

namespace hookline {
namespace {

constexpr auto kStartDeadline = std::chrono::seconds(10);
constexpr auto kStopGrace = std::chrono::seconds(5);

bool waitForExit(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

int freeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(), "socket");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    int saved = errno;
    ::close(fd);
    throw std::system_error(saved, std::generic_category(), "bind to a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

Expected<std::unique_ptr<LocalRedis>> LocalRedis::start(Options options) {
  bool owns = false;
  if (options.directory.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "hookline-redis-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Error{"cannot create a folder for redis-server"};
    }
    options.directory = pattern;
    owns = true;
  }
  if (options.port == 0) {
    options.port = freeLoopbackPort();
  }
  std::unique_ptr<LocalRedis> redis(new LocalRedis(std::move(options), owns));
  if (auto status = redis->launch(); !status) {
    return status.error();
  }
  return redis;
}

LocalRedis::LocalRedis(Options options, bool owns_directory)
    : options_(std::move(options)), owns_directory_(owns_directory) {}

LocalRedis::~LocalRedis() {
  stop();
  if (owns_directory_) {
    std::error_code ignored;
    std::filesystem::remove_all(options_.directory, ignored);
  }
}

Status LocalRedis::launch() {
  const std::string port = std::to_string(options_.port);
  const std::string dir = options_.directory.string();
  const std::string log = (options_.directory / "redis.log").string();
  std::vector<std::string> args = {options_.executable,
                                   "--port",
                                   port,
                                   "--bind",
                                   "127.0.0.1",
                                   "--dir",
                                   dir,
                                   "--save",
                                   "",
                                   "--logfile",
                                   log,
                                   "--daemonize",
                                   "no",
                                   "--appendonly",
                                   options_.append_only ? "yes" : "no"};
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0) {
    return Error{"cannot fork redis-server"};
  }
  if (pid_ == 0) {
    // The parent may block SIGINT/SIGTERM for its signal thread; the server must not inherit
    // that, or it could never be stopped with SIGTERM.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }

  const auto deadline = std::chrono::steady_clock::now() + kStartDeadline;
  RedisOptions link_options;
  link_options.endpoint.port = options_.port;
  link_options.connect_timeout = std::chrono::milliseconds(200);
  RedisLink link(link_options);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Error{"redis-server exited at start (is it installed? see " + log + ")"};
    }
    if (auto reply = link.command({"PING"}); reply && !isErrorReply(reply->get())) {
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  return Error{"redis-server did not answer on port " + port + " within 10 s"};
}

void LocalRedis::signal(int signal_number) const {
  if (pid_ > 0) {
    ::kill(pid_, signal_number);
  }
}

void LocalRedis::stop() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGTERM);
  if (!waitForExit(pid_, kStopGrace)) {
    ::kill(pid_, SIGKILL);
    waitForExit(pid_, kStopGrace);
  }
  pid_ = -1;
}

Status LocalRedis::restart() {
  stop();
  return launch();
}

}  // namespace hookline
