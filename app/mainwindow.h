#pragma once

#include <QMainWindow>

class QLabel;
class QTableView;

namespace tracemap {

class TraceListModel;

/// The main window: imports the files it is given into the cache off the GUI thread and lists the cached traces.
/// (The full shell — search dock, trace tabs, span details — is the next step.)
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QString cachePath, QWidget* parent = nullptr);
    void openFiles(const QStringList& files);

private:
    void refresh();

    QString m_cachePath;
    TraceListModel* m_model;
    QTableView* m_view;
    QLabel* m_status;
};

} // namespace tracemap
